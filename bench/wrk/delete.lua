-- DELETE /api/tasks/<id>/, each task of the data file once, in order; past
-- the last one the ids come round again and the answers are 404s, which the
-- benchmark reports as errors. Arguments: data file, and how many of its
-- tasks earlier runs deleted already (default 0).
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")
local pairs_ = {}
local next_ = 0

function init(args)
  next_ = tonumber(args[2] or "0")
  local users = common.load(args[1])
  for _, user in ipairs(users) do
    for _, id in ipairs(user.tasks) do
      pairs_[#pairs_ + 1] = { user = user, id = id }
    end
  end
end

function request()
  next_ = next_ % #pairs_ + 1
  local pair = pairs_[next_]
  return common.send("DELETE", pair.user, "/api/tasks/" .. pair.id .. "/")
end

done = common.done
