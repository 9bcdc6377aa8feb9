-- wrk script: POSTs a status report of 6 records, each request a new revision so every request
-- is a durable write (accepted records committed before the reply), never a duplicate.
-- Environment: BODY (file with the report, "REV" and "THREAD" placeholders), TOKEN, TYPE.
local counter = 0
local threadId = 0
local template
local threads = {}
local nextId = 1

function setup(thread)
  thread:set("threadId", nextId)
  nextId = nextId + 1
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(os.getenv("BODY"), "rb"))
  template = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = os.getenv("TYPE") or "application/xml"
  wrk.headers["Authorization"] = "Bearer " .. (os.getenv("TOKEN") or "")
end

function request()
  counter = counter + 1
  local body = template:gsub("THREAD", tostring(threadId)):gsub("REV", tostring(counter))
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    print("unexpected status " .. status .. ": " .. body)
  end
end
