-- The River Wend: things to find.

item {
  key = "bell",
  name = "the ferry bell",
  keywords = { "bell", "post" },
  ground = "A bronze bell hangs from a post at the end of the wharf, for calling the ferry.",
  desc = [[
A ship's bell, green with age, with a knotted rope for a clapper-pull. Letters round its lip
spell the name of a boat that sank long before anyone now living was born.]],
  fixed = true,
}

item {
  key = "eel_trap",
  name = "a wicker eel trap",
  value = 4,
  keywords = { "trap", "eel", "wicker", "basket" },
  ground = "A wicker eel trap lies on the bank, its mouth stuffed with weed.",
  desc = [[
A long basket of woven willow, narrowing to a funnel that lets eels in and not out. It is empty
and smells powerfully of river.]],
}

item {
  key = "pebble",
  name = "a white pebble",
  keywords = { "pebble", "white", "stone" },
  ground = "A perfectly round white pebble lies among the shingle.",
  desc = [[
A pebble of white quartz, round as an egg and cool in the palm. It is the kind of stone people
keep in a pocket for years without knowing why.]],
}

item {
  key = "chest",
  name = "an oak chest",
  keywords = { "chest", "oak", "box" },
  ground = "An iron-cornered oak chest stands against the wall.",
  desc = [[
A soldier's chest of dark oak with iron corners and rope handles, stencilled WATCH OF THE WEND.
Its lid is not locked; the warden seems to have trusted the door to do that.]],
  container = true,
  capacity = 8,
  fixed = true,
}

item {
  key = "spyglass",
  name = "a brass spyglass",
  value = 40,
  keywords = { "spyglass", "glass", "telescope", "brass" },
  desc = [[
A brass spyglass in three sliding sections, the leather grip worn through to the metal. Drawn
out and held to the eye, it brings the far hills close enough to count the sheep.]],
}

item {
  key = "letter",
  name = "a folded letter",
  keywords = { "letter", "paper", "note" },
  desc = [[
A sheet of heavy paper, folded twice. In a careful, square hand it reads:

  "To whoever opens this chest. The Watch of the Wend is disbanded and I am the last of it.
  I have locked the tower and leave for my sister's in the south. The spyglass was my
  captain's; use it kindly. If a magpie has taken the key again, as they will, then you
  have earned what is here. - Bryn, Warden"]],
}

item {
  key = "coins",
  name = "a handful of old coins",
  value = 15,
  keywords = { "coins", "coin", "handful", "silver" },
  desc = [[
Seven silver coins, thin and worn, each stamped with a tower over wavy lines. Nobody in
Millbrook has paid with these in fifty years, but silver is silver.]],
}

item {
  key = "pennant",
  name = "a faded pennant",
  value = 3,
  keywords = { "pennant", "flag", "banner" },
  ground = "A faded pennant is snagged on a stone of the parapet, snapping in the wind.",
  desc = [[
A long triangle of wool that was once red and is now the colour of weak tea. A tower over wavy
lines is stitched on it in thread that was once gold.]],
}
