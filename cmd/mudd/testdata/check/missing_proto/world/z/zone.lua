zone { key = "z", name = "Zed",
  resets = { { npc = "ghost", room = "a" } } }
