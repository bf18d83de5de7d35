-- PUT (every field) or PATCH (one field) of a random task of a random user.
-- Arguments: data file, "put" or "patch".
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")
local users, method
local sent = 0
local PRIORITIES = { "low", "medium", "high" }

function init(args)
  users = common.load(args[1])
  method = string.upper(args[2])
end

function request()
  sent = sent + 1
  local user = common.any(users)
  local body
  if method == "PUT" then
    body = common.task_body(sent)
  else
    body = string.format('{"priority": "%s"}', PRIORITIES[sent % 3 + 1])
  end
  return common.send(method, user, "/api/tasks/" .. common.any(user.tasks) .. "/", body)
end

done = common.done
