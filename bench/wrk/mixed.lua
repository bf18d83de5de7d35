-- Many users at once: 60 % list (first page), 20 % retrieve, 10 % create,
-- 10 % toggle, each request as a user drawn at random. Argument: data file.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")
local users
local sent = 0

function init(args)
  users = common.load(args[1])
end

function request()
  sent = sent + 1
  local user = common.any(users)
  local draw = math.random()
  if draw < 0.6 then
    return common.get(user, "/api/tasks/")
  elseif draw < 0.8 then
    return common.get(user, "/api/tasks/" .. common.any(user.tasks) .. "/")
  elseif draw < 0.9 then
    return common.send("POST", user, "/api/tasks/", common.task_body(sent))
  end
  return common.send("PATCH", user, "/api/tasks/" .. common.any(user.tasks) .. "/complete/")
end

done = common.done
