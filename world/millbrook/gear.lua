-- Millbrook: arms and armour from the smithy and the tinker's stall.
-- `slot` is where an item is worn ("wield" for weapons), `damage` the most a weapon deals in one
-- blow, `armor` how much a piece of armour turns aside, `value` its price in gold.

item {
  key = "dagger",
  name = "a steel dagger",
  keywords = { "dagger", "steel", "knife" },
  ground = "A steel dagger lies here, its edge bright.",
  desc = [[
A plain dagger with a leather-wrapped grip and a blade as long as your hand, sharp enough to
shave with. Harl's mark, a little anvil, is stamped below the guard.]],
  slot = "wield", damage = 4, verb = "stab", value = 10,
}

item {
  key = "cudgel",
  name = "an oak cudgel",
  keywords = { "cudgel", "oak", "club" },
  ground = "A knobbly oak cudgel lies here.",
  desc = [[
A length of seasoned oak, thick at one end and worn smooth at the other by a drover's hand.
It would stop a wolf, or at least make it think.]],
  slot = "wield", damage = 5, verb = "club", value = 8,
}

item {
  key = "shortsword",
  name = "a short sword",
  keywords = { "sword", "short", "shortsword" },
  ground = "A short sword lies here.",
  desc = [[
A soldier's sword, broad and short, made for close work rather than show. The blade has been
ground back from old nicks, and the grip is bound with new cord.]],
  slot = "wield", damage = 7, verb = "slash", value = 30,
}

item {
  key = "jerkin",
  name = "a leather jerkin",
  keywords = { "jerkin", "leather" },
  ground = "A leather jerkin has been left in a heap.",
  desc = [[
A sleeveless coat of boiled leather, stiff at first and then comfortable, like a good pair of
boots. It smells of tallow.]],
  slot = "body", armor = 2, value = 20,
}

item {
  key = "mail",
  name = "a shirt of mail",
  keywords = { "mail", "shirt", "hauberk", "chain" },
  ground = "A shirt of mail lies here in a glinting heap.",
  desc = [[
Thousands of little iron rings, riveted one by one. It is heavy on the shoulders and lighter
the moment something tries to cut you.]],
  slot = "body", armor = 4, value = 80,
}

item {
  key = "cap",
  name = "an iron cap",
  keywords = { "cap", "iron", "helm", "helmet" },
  ground = "An iron cap lies here, rocking gently.",
  desc = [[A round iron cap with a padded lining and a strap under the chin.]],
  slot = "head", armor = 1, value = 12,
}

item {
  key = "gloves",
  name = "a pair of leather gloves",
  keywords = { "gloves", "glove", "leather" },
  ground = "A pair of leather gloves lies here.",
  desc = [[Thick gauntlet gloves of the kind smiths and hedgers wear, scuffed at the fingertips.]],
  slot = "hands", armor = 1, value = 6,
}

item {
  key = "boots",
  name = "a pair of stout boots",
  keywords = { "boots", "boot", "stout" },
  ground = "A pair of stout boots stands here.",
  desc = [[Hobnailed boots with thick soles, made for the road and for kicking.]],
  slot = "feet", armor = 1, value = 8,
}

item {
  key = "buckler",
  name = "a wooden buckler",
  keywords = { "buckler", "shield", "wooden" },
  ground = "A small round buckler lies here.",
  desc = [[A round shield of limewood no wider than a dinner plate, rimmed with iron.]],
  slot = "shield", armor = 1, value = 10,
}
