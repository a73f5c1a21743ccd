-- wrk script: each request GETs a random path from the file named by BENCH_PATHS
-- (one path a line: existing dossier numbers for tracking, search queries, …), then the
-- JSON report of report.lua. BENCH_LUA_DIR is the directory holding report.lua.
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  if #line > 0 then paths[#paths + 1] = line end
end

local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

init = function(args)
  math.randomseed(os.time() * 1000 + (tid or 0))
end

request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
