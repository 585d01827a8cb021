-- Millbrook: things to see and carry.

item {
  key = "fountain",
  name = "a stone fountain",
  keywords = { "fountain", "basin", "stone" },
  ground = "Water chuckles from the mouth of a carved fish in the stone fountain.",
  desc = [[
A broad basin of grey stone, its rim worn smooth where people sit. Water spills from the mouth
of a carved fish held up by a laughing child, and coins glint on the bottom: old wishes, long
since spent.]],
  fixed = true,
}

item {
  key = "lamp",
  name = "the temple lamp",
  keywords = { "lamp", "bronze", "altar" },
  ground = "The flame of the temple lamp stands perfectly still on the altar.",
  desc = [[
A plain bronze bowl on three short feet, its flame steady and no bigger than a thumb. The
sisters say it has not gone out in three hundred years. The oil seller says that is because he
comes every week.]],
  fixed = true,
}

item {
  key = "candle",
  name = "a beeswax candle",
  value = 2,
  keywords = { "candle", "beeswax", "wax" },
  ground = "A beeswax candle lies on the end of a bench, left by someone after prayers.",
  desc = [[
A fat yellow candle, never lit, that smells faintly of honey and summer. Someone has scratched a
small wheat-ear on its side with a thumbnail.]],
}

item {
  key = "wellhead",
  name = "the village well",
  keywords = { "well", "windlass", "bucket" },
  ground = "The village well stands under its shingled roof, a bucket hung from the windlass.",
  desc = [[
A ring of mossy stones around a shaft that drops into cold dark. The rope on the windlass is
polished by many hands. Drop a pebble and you count to three before the splash.]],
  fixed = true,
}

item {
  key = "horseshoe",
  name = "a new horseshoe",
  value = 3,
  keywords = { "horseshoe", "shoe", "iron" },
  ground = "A new horseshoe lies on the floor by the anvil.",
  desc = [[
Still faintly warm, with seven nail holes punched clean. Hung points up over a door, they say,
it keeps the luck in.]],
}

item {
  key = "loaf",
  name = "a round loaf",
  value = 1,
  keywords = { "loaf", "bread", "round" },
  ground = "A round loaf of brown bread sits at the edge of a stall, apparently forgotten.",
  desc = [[
A heavy brown loaf with a cross cut in the top and a crust that crackles when you press it. It
smells of the oven and of caraway seeds.]],
}

item {
  key = "tankard",
  name = "a pewter tankard",
  value = 4,
  keywords = { "tankard", "pewter", "mug" },
  ground = "A pewter tankard stands on a table, a ring of foam dried inside it.",
  desc = [[
A dented pewter tankard with a hinged lid and a glass bottom, so the drinker can watch the door.
A sleeping ox is stamped on the handle.]],
}

item {
  key = "sack",
  name = "a traveller's sack",
  value = 3,
  keywords = { "sack", "bag", "traveller" },
  ground = "A traveller's sack has been pushed under one of the beds.",
  desc = [[
A sack of oiled canvas with a drawstring, patched twice and stencilled with initials too faded
to read. Whoever left it meant to come back.]],
  container = true,
  capacity = 6,
}

item {
  key = "whistle",
  name = "a willow whistle",
  value = 1,
  keywords = { "whistle", "willow" },
  desc = [[
A whistle cut from a green willow shoot, the bark slipped and the notch neat. It would make one
shrill note, and a dog somewhere would come running.]],
}

item {
  key = "socks",
  name = "a pair of wool socks",
  value = 2,
  keywords = { "socks", "sock", "wool" },
  desc = [[
Thick grey socks, darned at both heels in a different grey. Nobody walks far without a pair.]],
}

item {
  key = "flour",
  name = "a bag of flour",
  value = 2,
  keywords = { "flour", "bag" },
  ground = "A small bag of flour has been set aside by the door, tied with string.",
  desc = [[
A cloth bag of fine white flour, tied at the neck. Flour puffs from the weave at every touch,
and soon it is on your sleeves as well.]],
}

-- What the fallen leave behind. Combat names each corpse ("the corpse of a grey wolf") and
-- fills it; its on_tick counts down until it crumbles (see scripts/systems/combat.lua).

local settings = require("settings")
local combat = require("systems.combat")

item {
  key = "corpse",
  name = "a corpse",
  keywords = { "corpse", "body" },
  ground = "A corpse lies here.",
  desc = [[Very dead.]],
  container = true,
  capacity = 30,
  fixed = true,
  tick = math.max(0.1, settings.corpse_decay / 6),
  on_tick = combat.decay,
}

item {
  key = "gold",
  name = "some gold coins",
  keywords = { "gold", "coins", "coin" },
  ground = "Some gold coins glint here.",
  desc = [[Good Millbrook gold, stamped with a mill wheel.]],
  on_get = combat.pocket,
}
