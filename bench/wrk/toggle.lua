-- PATCH /api/tasks/<id>/complete/ with no body (toggle) on a random task of a
-- random user. Argument: data file.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")
local users

function init(args)
  users = common.load(args[1])
end

function request()
  local user = common.any(users)
  return common.send("PATCH", user, "/api/tasks/" .. common.any(user.tasks) .. "/complete/")
end

done = common.done
