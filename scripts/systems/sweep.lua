-- Sweeps over every player in the game (link-dead ones too), spread out in time.
--
--   local sweep = require("systems.sweep")
--   sweep.players(10, function(p) ... end)   -- fn(p) for every player once per 10 seconds
--
-- A timer that visits every player at once costs one pulse a time proportional to the
-- players in the game: with thousands, a pulse that overruns. A sweep runs ten times as often
-- and visits every tenth player of mud.players() in turn, so each player is visited about
-- once per period; a login or logout shifts the list, and with it a player's turn, by up to
-- one period.

local M = {}

local PHASES = 10

-- Calls fn(player) for every player once per `seconds`, a tenth of them at a time.
-- Returns the timer.
function M.players(seconds, fn)
  local phase = 0
  return every(seconds / PHASES, function()
    phase = phase % PHASES + 1
    local players, share = mud.players(), {}
    for i = phase, #players, PHASES do
      share[#share + 1] = players[i]
    end
    mud.separately(share, fn) -- each visit is its own: visited players are not linked for saving
  end)
end

return M
