-- a sequencing rule that does not compile: the loop lacks its end
local best = candidates[1]
for i = 2, #candidates do
  if candidates[i].proc < best.proc then best = candidates[i] end
return best
