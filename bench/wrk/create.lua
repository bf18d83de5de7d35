-- POST /api/tasks/ as a random user of the data file (users nobody lists).
-- Argument: data file.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")
local users
local sent = 0

function init(args)
  users = common.load(args[1])
end

function request()
  sent = sent + 1
  return common.send("POST", common.any(users), "/api/tasks/", common.task_body(sent))
end

done = common.done
