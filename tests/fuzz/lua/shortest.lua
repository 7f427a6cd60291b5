local best = candidates[1]
for i = 2, #candidates do
  if candidates[i].content < best.content then best = candidates[i] end
end
return best
