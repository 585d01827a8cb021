-- Pelts for the Ox: Marda buys wolf pelts, three at a time, as often as you bring them.

local quests = require("systems.quests")

quests.define {
  key = "pelts",
  name = "Pelts for the Ox",
  repeatable = true,
  remind = "Three wolf pelts, %n. The wolves are in the deepwood, west along the old path.",
  stages = {
    { text = "Marda at the Drowsy Ox wants wolf pelts.",
      objective = { talk = "millbrook:innkeeper", topics = { "work", "job", "pelt", "pelts", "errand", "help" } },
      say = "Work? The wolves in the deepwood are getting bold, %n. Bring me three of their "
        .. "pelts for the common-room floor and I'll pay you fifteen gold." },
    { text = "Bring three wolf pelts to Marda at the Drowsy Ox.",
      objective = { bring = "eldwood:wolf_pelt", to = "millbrook:innkeeper", count = 3 },
      each = "That's %c. Good thick fur, %n.",
      say = "Three! That'll keep the draught off. Here's your fifteen, %n, and come again." },
  },
  reward = { xp = 60, gold = 15 },
}
