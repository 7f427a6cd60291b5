if entity == nil then
  local best = candidates[1]
  for i = 2, #candidates do
    local c = candidates[i]
    if c.proc < best.proc or c.wait > 1 then best = c end
  end
  return best.index + block.content - block.content
end
if candidates then return #candidates end
return {n = entity.n + 1}
