return candidates[1]
