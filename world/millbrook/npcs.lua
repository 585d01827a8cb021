-- Millbrook: villagers and a dog.

local B = require("behaviours")

npc {
  key = "dog",
  name = "a scruffy brown dog",
  keywords = { "dog", "brown", "scruffy" },
  ground = "A scruffy brown dog trots about, nose to the ground.",
  desc = [[
A dog of no particular breed and every particular opinion, with one ear up and one ear down.
It belongs to the whole village, which is to say it is fed by everyone and minded by no one.]],
  tick = 10,
  on_tick = B.wanderer(20, {
    "sniffs at your boots with great interest.",
    "scratches behind one ear, eyes half closed.",
    "wags its tail hopefully.",
    "flops down on the ground and sighs.",
  }),
}

npc {
  key = "innkeeper",
  name = "Marda the innkeeper",
  keywords = { "marda", "innkeeper", "keeper" },
  ground = "Marda the innkeeper polishes a mug behind the bar.",
  desc = [[
A broad woman with flour on her forearms and a cloth over one shoulder. She has heard every
story told in the Drowsy Ox, most of them twice, and believes about half.]],
  on_say = B.talker({
    { words = { "ale", "beer", "drink", "thirsty" },
      reply = "The ale's brewed in the cellar below, %n. Best in the valley, or so I tell them." },
    { words = { "room", "bed", "sleep", "stay" },
      reply = "Beds are up the stairs in the loft. Mind the third step; it talks." },
    { words = { "food", "stew", "hungry", "eat" },
      reply = "Onion stew, same as yesterday. Same as tomorrow, if Harl's wife has her way." },
    { words = { "news", "gossip", "rumour", "rumours" },
      reply = "News? The hermit of the Eldwood was in for salt. Talked about the old tower "
        .. "across the river and laughed at magpies. Make of that what you will." },
  }),
  tick = 40,
  on_tick = B.idler(5, {
    "wipes down the bar with long, patient strokes.",
    "holds a mug up to the light, frowns, and polishes it again.",
    "calls through to the kitchen that the stew wants salt.",
  }),
}

npc {
  key = "smith",
  name = "Harl the smith",
  keywords = { "harl", "smith", "blacksmith" },
  ground = "Harl the smith works at the anvil, his leather apron scorched black.",
  desc = [[
A thick-armed man with a burn-speckled beard and the squint of someone who has stared into a
forge for thirty years. He talks little and hums a great deal.]],
  tick = 30,
  on_tick = B.idler(5, {
    "brings the hammer down on a glowing bar, and sparks skitter across the floor.",
    "plunges a red-hot shoe into the trough, and steam hisses up around him.",
    "works the bellows until the coals roar white.",
    "hums a tune with no particular ending.",
  }),
}

npc {
  key = "sister",
  name = "Sister Wenna",
  keywords = { "wenna", "sister", "priestess" },
  ground = "Sister Wenna sits on the front bench, watching the lamp.",
  desc = [[
A small, straight-backed woman in a grey habit, with wooden prayer beads at her belt and ink on
her fingers. Her eyes go to the lamp whenever she is not speaking, and sometimes when she is.]],
  tick = 45,
  on_tick = B.idler(5, {
    "trims the wick of the lamp with a small pair of silver snips.",
    "murmurs a prayer, too quietly for the dome to repeat it.",
    "straightens a bench that did not need straightening.",
  }),
}
