-- Millbrook: villagers and a dog.

local B = require("behaviours")
local talk = require("systems.talk")
local combat = require("systems.combat")

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

local innkeeper_topics = {
  { words = { "ale", "beer", "drink", "thirsty" },
    reply = "The ale's brewed in the cellar below, %n. Best in the valley, or so I tell them." },
  { words = { "room", "bed", "sleep", "stay" },
    reply = "Beds are up the stairs in the loft. Mind the third step; it talks." },
  { words = { "food", "stew", "hungry", "eat" },
    reply = "Onion stew, same as yesterday. Same as tomorrow, if Harl's wife has her way." },
  { words = { "news", "gossip", "rumour", "rumours" },
    reply = "News? The hermit of the Eldwood was in for salt. Talked about the old tower "
      .. "across the river and laughed at magpies. Make of that what you will." },
  { words = { "wolf", "wolves", "pelt", "pelts", "fur" },
    reply = "Wolves in the deepwood again. I'll pay for their pelts: ask me about work." },
}

npc {
  key = "innkeeper",
  name = "Marda the innkeeper",
  keywords = { "marda", "innkeeper", "keeper" },
  ground = "Marda the innkeeper polishes a mug behind the bar.",
  desc = [[
A broad woman with flour on her forearms and a cloth over one shoulder. She has heard every
story told in the Drowsy Ox, most of them twice, and believes about half.]],
  on_say = B.talker(innkeeper_topics),
  on_ask = talk.asker(innkeeper_topics, "Couldn't say, %n. Ask me about ale, beds, stew, news, or work."),
  on_give = talk.receiver("That's yours, %n. Keep it."),
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
  shop = {
    sells = { "millbrook:shortsword", "millbrook:mail", "millbrook:cap", "millbrook:dagger" },
    buys = true, markup = 1.2, gold = 400,
  },
  desc = [[
A thick-armed man with a burn-speckled beard and the squint of someone who has stared into a
forge for thirty years. He talks little and hums a great deal. Blades and mail hang on the wall behind him for
sale: type "list" to see them.]],
  on_ask = talk.asker({
    { words = { "sword", "swords", "blade", "dagger", "mail", "armour", "armor", "weapon", "weapons", "buy", "sell" },
      reply = "Good iron, fair prices. Have a look: type list." },
    { words = { "wolf", "wolves", "bandit", "bandits", "fight" },
      reply = "Going after wolves? Take a blade and something on your back, %n, not your Sunday shirt." },
  }, "Mm. (He goes on hammering.)"),
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
  on_ask = talk.asker({
    { words = { "lamp", "flame", "altar" },
      reply = "Three hundred years it has burned, %n. We keep it; it keeps us." },
    { words = { "bryn", "warden", "tower", "watch" },
      reply = "Bryn kept the watchtower when I was a girl. He wrote to no one when he left. "
        .. "Ansel in the wood may know more." },
    { words = { "heal", "healing", "dead", "death", "die" },
      reply = "Those who fall in the valley wake here, under the lamp. Go gently, %n." },
  }, "I will pray on it, %n."),
  on_give = talk.receiver("Keep it, %n. The lamp asks for nothing."),
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

npc(combat.mob {
  key = "rat",
  name = "a fat cellar rat",
  keywords = { "rat", "fat", "cellar" },
  ground = "A fat cellar rat sits up on a cask, whiskers twitching.",
  desc = [[
A rat the size of a small cat, sleek on stolen barley. It regards you with the calm of a
creature that has never yet been caught.]],
  hp = 5, level = 1, damage = 2, verb = "bite", xp = 10, gold = 2,
  tick = 30,
  on_tick = B.idler(6, {
    "gnaws at the corner of a sack.",
    "scuttles along the top of the casks and stops to listen.",
  }),
})

npc {
  key = "tinker",
  name = "Orrin the tinker",
  keywords = { "orrin", "tinker", "pedlar", "trader" },
  ground = "Orrin the tinker sits behind a stall of tools, buckles and leather goods.",
  desc = [[
A wiry man with a tinker's tray slung round his neck and more pockets than a coat ought to
have. He will sell you anything on his stall and buy most things off your back: type "list".]],
  shop = {
    sells = { "millbrook:loaf", "millbrook:cudgel", "millbrook:dagger", "millbrook:jerkin",
      "millbrook:gloves", "millbrook:boots", "millbrook:buckler" },
    buys = true, markup = 1.2, gold = 300,
  },
  on_ask = talk.asker({
    { words = { "buy", "sell", "price", "prices", "wares", "goods", "trade" },
      reply = "Type list and see, %n. I buy too, at a fair half of what a thing's worth." },
    { words = { "tower", "watchtower", "key" },
      reply = "Keys? I sell buckles, friend. For old keys ask the magpies. Ha!" },
  }, "Can't help you there, %n. Buying or selling?"),
  tick = 45,
  on_tick = B.idler(5, {
    "holds a buckle up to the light and polishes it on his sleeve.",
    "calls, \"Needles, buckles, good boots! Knives sharpened while you wait!\"",
    "counts coins into a leather bag, twice.",
  }),
}
