-- GET /api/tasks/?<query> as a user drawn at random from the data file.
-- Arguments: data file, query string (may be empty).
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")
local users, path

function init(args)
  users = common.load(args[1])
  path = "/api/tasks/"
  if args[2] and args[2] ~= "" then
    path = path .. "?" .. args[2]
  end
end

function request()
  return common.get(common.any(users), path)
end

done = common.done
