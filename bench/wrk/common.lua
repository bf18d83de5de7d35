-- Shared by the benchmark's wrk scripts: reading the data files bench/run.py
-- writes, and the one line of results it reads back.
--
-- A data file has one record a line: "U <access token>" starts a user,
-- "T <task id>" is a task of the user above, "L <email>" a user to log in as.
local common = {}

function common.load(path)
  local users, logins, current = {}, {}, nil
  for line in io.lines(path) do
    local kind, value = line:match("^(%u) (%S+)$")
    if kind == "U" then
      current = { auth = "Bearer " .. value, tasks = {} }
      users[#users + 1] = current
    elseif kind == "T" then
      current.tasks[#current.tasks + 1] = value
    elseif kind == "L" then
      logins[#logins + 1] = value
    end
  end
  return users, logins
end

function common.any(list)
  return list[math.random(#list)]
end

common.JSON = "application/json"

function common.get(user, path)
  return wrk.format("GET", path, { Authorization = user.auth })
end

function common.send(method, user, path, body)
  local headers = { Authorization = user.auth }
  if body then
    headers["Content-Type"] = common.JSON
  end
  return wrk.format(method, path, headers, body)
end

-- Task bodies: valid, and varied enough that no request repeats the last one.
local PRIORITIES = { "low", "medium", "high" }

function common.task_body(n)
  return string.format(
    '{"title": "Benchmark task %d", "description": "Written by the benchmark", '
      .. '"priority": "%s", "due_date": "2030-01-%02dT12:00:00Z"}',
    n, PRIORITIES[n % 3 + 1], n % 28 + 1)
end

-- wrk calls done() once, with every thread's figures merged.
function common.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end

return common
