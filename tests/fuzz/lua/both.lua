if candidates then return math.random(#candidates) end
return {n = entity.n + 1, k = "q"}
