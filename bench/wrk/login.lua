-- POST /api/auth/login/ as a random user of the data file.
-- Arguments: data file ("L <email>" lines), password.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")
local logins, password

function init(args)
  local _
  _, logins = common.load(args[1])
  password = args[2]
end

function request()
  local body = string.format('{"email": "%s", "password": "%s"}', common.any(logins), password)
  return wrk.format("POST", "/api/auth/login/", { ["Content-Type"] = common.JSON }, body)
end

done = common.done
