zone { key = "z", name = "Zed", resets = { { item = "coin", room = "b" } } }
