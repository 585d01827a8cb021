-- The Eldwood: things to find.

item {
  key = "nest",
  name = "a magpie's nest",
  keywords = { "nest", "magpie" },
  ground = "A great untidy magpie's nest is wedged in a fork of the oak.",
  desc = [[
A dome of thorny sticks as big as a bushel basket, lined with mud and moss. Things glint in its
depths, because magpies cannot leave a shiny thing alone.]],
  container = true,
  capacity = 8,
  fixed = true,
}

item {
  key = "tower_key",
  name = "an iron key",
  keywords = { "key", "iron", "tower" },
  ground = "An iron key lies here, spotted with rust.",
  desc = [[
A heavy iron key as long as your hand. Its bow is shaped like a round tower with a single window,
and the rust has been rubbed from the shaft by a beak.]],
}

item {
  key = "button",
  name = "a brass button",
  value = 3,
  keywords = { "button", "brass" },
  ground = "A brass button glints in the grass.",
  desc = [[
A domed brass button from a soldier's coat, stamped with a tower over wavy lines. A scrap of red
thread still hangs from its shank.]],
}

item {
  key = "glass",
  name = "a shard of blue glass",
  value = 1,
  keywords = { "shard", "glass", "blue" },
  ground = "A shard of blue glass catches the light.",
  desc = [[
A thumb-sized piece of blue glass worn smooth at the edges. Held up to your eye, it turns the
world into the bottom of a summer pond.]],
}

item {
  key = "feather",
  name = "a magpie feather",
  value = 1,
  keywords = { "feather", "magpie" },
  ground = "A long black-and-white feather lies in the grass beneath the oak.",
  desc = [[
A long tail feather, black at first glance, but green and violet where it turns in the light.
The white base is soft as down.]],
}

item {
  key = "mushroom",
  name = "a red-capped mushroom",
  value = 1,
  keywords = { "mushroom", "toadstool", "red" },
  ground = "A red-capped mushroom pushes up through the leaf mould.",
  desc = [[
A fat mushroom with a scarlet cap flecked with white. Everyone knows better than to eat these.
At least, everyone says so.]],
}

item {
  key = "herbs",
  name = "a bundle of dried herbs",
  value = 2,
  keywords = { "herbs", "bundle", "herb" },
  ground = "A bundle of dried herbs, tied with grass, lies on the table.",
  desc = [[
Sage, thyme and something grey and feathery you cannot name, bound together with a plait of
grass. It smells sharp and clean, like a kitchen in the morning.]],
}

item {
  key = "hearthstone",
  name = "the peat fire",
  keywords = { "fire", "peat", "pot", "hearth" },
  ground = "A pot simmers over a low peat fire in a ring of stones.",
  desc = [[
Slabs of peat glow without flame under a blackened pot. Whatever is in the pot smells of barley
and wild garlic, and of having been simmering since last week.]],
  fixed = true,
}

item {
  key = "wolf_pelt",
  name = "a wolf pelt",
  keywords = { "pelt", "wolf", "fur" },
  ground = "A grey wolf pelt lies here.",
  desc = [[A thick grey pelt, rough on top and soft beneath. Marda at the Drowsy Ox pays for these.]],
  value = 4,
}

item {
  key = "amulet",
  name = "an oak-leaf amulet",
  keywords = { "amulet", "oak", "leaf", "charm" },
  ground = "An amulet carved like an oak leaf lies here on a thong.",
  desc = [[
An oak leaf carved from dark bog-oak and hung on a leather thong. Ansel says it was Bryn's,
and that it turned a blade once. He doesn't say whose.]],
  slot = "neck", armor = 1, value = 20,
}
