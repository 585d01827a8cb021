-- Millbrook: a village at the edge of the Eldwood, above the river Wend.

game {
  name = "Millbrook",
  start = "millbrook:square",
  greeting = [[
Millbrook

A village of grey stone and mossy thatch where the old west road ends at the
Eldwood and the river Wend turns the mill wheel day and night. Travellers are
few, and so are welcomed.
]],
  motd = [[
The square is quiet, the fountain is running, and the Drowsy Ox has a fire lit.
New here? Type "help newbie". For a rough map of the country, "help map".
]],
}

-- Game systems: each is a module under scripts/systems/ (see docs/game.md). Remove a line
-- to go without that system, or require your own module in its place.

require("systems.stats")      -- hit points, levels, experience, gold, score, regeneration
require("systems.equipment")  -- wear, wield, remove, equipment
require("systems.combat")     -- kill, flee, aggressive NPCs, death and corpses
require("systems.shop")       -- list, buy, sell, value
require("systems.quests")     -- quests.define, the quests journal
require("systems.talk")       -- on_ask/on_give helpers for NPCs who talk and take things

command {
  name = "zreset",
  role = "wizard",
  help = "zreset <zone>\nReset a zone now: missing NPCs and items come back.",
  run = function(actor, args)
    local zone = (args or ""):match("^%s*(%S+)")
    if zone == nil then
      local here = actor.room
      zone = here and here.zone
    end
    if zone == nil then actor:send("Reset which zone?") return end
    mud.reset(zone)
    actor:send("Zone " .. zone .. " reset.")
  end,
}

-- Socials ---------------------------------------------------------------------
-- Each entry: alone (to actor, to room), at someone (to actor, to target, to room).
-- "%a" is the actor's name, "%t" the target's.

local socials = {
  smile = {
    "You smile.", "%a smiles.",
    "You smile at %t.", "%a smiles at you.", "%a smiles at %t.",
  },
  nod = {
    "You nod.", "%a nods.",
    "You nod to %t.", "%a nods to you.", "%a nods to %t.",
  },
  wave = {
    "You wave.", "%a waves.",
    "You wave to %t.", "%a waves to you.", "%a waves to %t.",
  },
  bow = {
    "You bow.", "%a bows.",
    "You bow to %t.", "%a bows to you.", "%a bows to %t.",
  },
  laugh = {
    "You laugh.", "%a laughs.",
    "You laugh at %t.", "%a laughs at you.", "%a laughs at %t.",
  },
  shrug = {
    "You shrug.", "%a shrugs.",
    "You shrug at %t.", "%a shrugs at you.", "%a shrugs at %t.",
  },
  sigh = {
    "You sigh.", "%a sighs.",
    "You sigh at %t.", "%a sighs at you.", "%a sighs at %t.",
  },
}

local function fill(text, actor, target)
  local a = (actor and actor.name) or "Someone"
  local t = (target and target.name) or "someone"
  return (text:gsub("%%([at])", function(c)
    if c == "a" then return a end
    return t
  end))
end

local function social(name, m)
  command {
    name = name,
    help = name .. " [someone]: " .. name .. " alone, or at someone in the room.",
    run = function(actor, args)
      local room = actor.room
      if room == nil then return end
      local word = (args or ""):match("^%s*(%S+)")
      local target = nil
      if word ~= nil then
        target = room:find(word)
        if target == nil then
          actor:send("You see no '" .. word .. "' here.")
          return
        end
      end
      if target == nil or target.id == actor.id then
        actor:send(fill(m[1], actor))
        room:send(fill(m[2], actor), actor)
        return
      end
      actor:send(fill(m[3], actor, target))
      target:send(fill(m[4], actor, target))
      room:send(fill(m[5], actor, target), actor, target)
    end,
  }
end

for name, m in pairs(socials) do social(name, m) end

-- Time of day -----------------------------------------------------------------
-- A day in the valley passes in one hour of the world outside: 150 seconds an hour.

local SECONDS_PER_HOUR = 150

local parts = {
  { 0, "deep night; the village is dark but for the temple lamp" },
  { 4, "the small hours; the first birds are stirring in the Eldwood" },
  { 6, "dawn; mist lies on the river and the mill wheel is loud in the quiet" },
  { 9, "morning; the market stalls are open and the smithy fire is roaring" },
  { 12, "midday; the bell in the temple tower rings noon" },
  { 14, "afternoon; the shadows of the square grow long toward the east" },
  { 18, "evening; lamps are lit in the windows of the Drowsy Ox" },
  { 21, "night; owls call from the edge of the forest" },
}

local function clock()
  local now = os.time()
  local hour = math.floor(now / SECONDS_PER_HOUR) % 24
  local minute = math.floor((now % SECONDS_PER_HOUR) * 60 / SECONDS_PER_HOUR)
  return hour, minute
end

command {
  name = "time",
  aliases = { "clock" },
  help = "time: what hour it is in the valley. A full day passes in an hour.",
  run = function(actor, args)
    local hour, minute = clock()
    local part = parts[1][2]
    for _, p in ipairs(parts) do
      if hour >= p[1] then part = p[2] end
    end
    actor:send(string.format("It is %02d:%02d, %s.", hour, minute, part))
  end,
}

-- Help topics -----------------------------------------------------------------

topic {
  name = "newbie",
  text = [[
Welcome to Millbrook. A few things to get you going:

  look                 see where you are (look <thing> to look closer)
  north, south, ...    walk; short forms n s e w ne nw se sw u d also work
  go <name>            take a named way, such as "go hut" or "go ferry"
  get, drop, inventory pick things up, put them down, see what you carry
  examine <thing>      look closely, and into sacks, chests and nests
  get <thing> from <container>   take something out of one
  say <words>          speak aloud; some folk answer if you ask the right things
  ask <who> about <x>  ask someone about something
  who, score, time     who is about, how you are, what hour it is
  wear, wield, eq      put on armour, take a weapon in hand, see what you use
  list, buy, sell      trade with the tinker in Market Row or the smith
  kill <creature>      fight; flee to run away
  quests               your journal

Try talking to people. The hermit of the Eldwood knows more than he lets on, and
may have an errand for you. Marda at the Drowsy Ox pays for wolf pelts.
See also: help rules, help map, help doors, help combat, help trade.
]],
}

topic {
  name = "rules",
  text = [[
Be kind to other players. No harassment, no flooding the game with text.
One character per person at a time. If something seems broken, tell a wizard
rather than making use of it. Above all: enjoy the walk.
]],
}

topic {
  name = "map",
  text = [[
A rough map of the country, north at the top:

                    Hermit's hut
                       |  go hut
                     Garden                           Temple
                       |                                |
                    Clearing (up: oak)       Inn - Temple Walk - Well Court
                       |                                |
Stones - Deepwood - Old Path - Edge - Gate - Market - Square - Smithy
            |          |                                |
          Hollow   Footbridge                        Mill Lane - Mill
                       |                                |
                     Reeds - Towpath -------------- Landing - Weir
                                                        |  go ferry
                                                      Ferry
                                                        |
                                                     Far Bank
                                                        |
                                                 Watchtower Hill
                                                        |
                                                    Tower Yard

Millbrook village is in the middle; the Drowsy Ox inn has a loft above and a cellar
below. The Eldwood lies west of the gate. The river Wend runs south of the village,
and the old watchtower stands on the far bank, locked these many years.
]],
}

topic {
  name = "doors",
  text = [[
Some ways are shut by doors, gates or trapdoors.

  open <door>, close <door>    open or shut it
  unlock <door>, lock <door>   needs the right key in your hands

A locked door will not say where its key is. Ask around; people remember
who lost what, and magpies remember nothing but keep everything.
]],
}

topic {
  name = "combat",
  text = [[
Fighting:

  kill <creature>      attack; the fight goes on in rounds until one of you falls
  flee                 run through a random open exit; it can fail, once a round
  wield <weapon>       a weapon hits harder than fists
  wear <armour>        armour turns blows aside (body, head, hands, feet, shield)
  score                your hit points, level, experience and gold

Hit points come back slowly when you are not fighting. Wolves and bandits attack
on sight. If you fall you wake in the temple, and half your gold stays with your
corpse where you fell: go back for it before it crumbles.
]],
}

topic {
  name = "trade",
  text = [[
Orrin the tinker keeps a stall in Market Row, and Harl the smith sells arms at
the smithy.

  list                 what the shopkeeper here sells, and the price
  buy <thing>          buy it
  sell <thing>         sell something you carry (not what you wear)
  value <thing>        what the shopkeeper would pay for it

Shopkeepers pay half what a thing is worth and pay out of their own till.
]],
}
