-- Numbers the default game's systems read when they load. Change them here, or give a game
-- variant its own scripts/settings.lua.

return {
  start_gold = 20,           -- gold a new character starts with
  regen_every = 10,          -- seconds between a player's regeneration ticks
  round = 2,                 -- seconds between combat rounds
  corpse_decay = 240,        -- seconds before an NPC's corpse crumbles away
  player_corpse_decay = 600, -- a player's corpse lasts longer, so they can go back for it
  death_gold = 0.5,          -- share of a player's gold left in their corpse when they die
  respawn = "millbrook:temple", -- where the dead wake up
  quest_sweep = 10,          -- seconds between "reach" checks of players put in a room by staff
  carry = 25,                -- things a character can carry (the engine's limit)
}
