zone {
  key = "eldwood",
  name = "The Eldwood",
  desc = [[An old forest west of Millbrook, with a hermit, a ring of stones, many magpies and a few wolves.]],
  reset_every = 300,
  reset_mode = "empty",
  resets = {
    { item = "nest", room = "oak" },
    { item = "tower_key", into = "nest" },
    { item = "button", into = "nest" },
    { item = "glass", into = "nest" },
    { item = "feather", room = "clearing" },
    { item = "mushroom", room = "deepwood" },
    { item = "herbs", room = "hut" },
    { item = "hearthstone", room = "hut" },

    { npc = "hermit", room = "hut" },
    { npc = "magpie", room = "oak" },
    { npc = "fox", room = "hollow" },
    { npc = "rabbit", room = "clearing" },
    { npc = "wolf", room = "deepwood", max = 2 },
    { npc = "wolf", room = "stones" },
  },
}
