#!lua
-- The append script: see server/src/store/append.rs for KEYS, ARGV and the reply.
local HEAD, PER = 5, 9
local n = (#ARGV - HEAD) / PER
local function arg(i, k) return ARGV[HEAD + (i - 1) * PER + k] end

-- A tenant written before dedupe moved into day buckets keeps a key per event id: look
-- those up too for as long as they can live.
local legacy = redis.call('EXISTS', KEYS[6]) == 1
if not legacy and redis.call('EXISTS', KEYS[5]) == 0 then
  if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('SET', KEYS[6], '1', 'EX', ARGV[2])
    legacy = true
  end
  redis.call('SET', KEYS[5], '2')
end

local ids = {}
for i = 1, n do ids[i] = arg(i, 1) end
local prev = {}
for b = 7, #KEYS do
  local found = redis.call('HMGET', KEYS[b], unpack(ids))
  for i = 1, n do
    if not prev[i] and found[i] then prev[i] = found[i] end
  end
end
if legacy then
  for i = 1, n do
    if not prev[i] then prev[i] = redis.call('GET', ARGV[5] .. ids[i]) end
  end
end

-- Number every new report of the batch with one INCRBY.
local opens, counted = 0, {}
for i = 1, n do
  if arg(i, 3) == 'open' and not prev[i] and not counted[ids[i]]
      and string.find(arg(i, 2), '"ticket":null', 1, true) then
    opens = opens + 1
    counted[ids[i]] = true
  end
end
local number = 0
if opens > 0 then number = redis.call('INCRBY', KEYS[2], opens) - opens end

local versions, statuses = {}, {}
local function version_of(t)
  if versions[t] == nil then versions[t] = tonumber(redis.call('HGET', KEYS[3], t) or '0') end
  return versions[t]
end
local function status_of(t)
  if statuses[t] == nil then statuses[t] = redis.call('HGET', KEYS[4], t) end
  return statuses[t]
end

local out, done, vset, sset, dset = {}, {}, {}, {}, {}
for i = 1, n do
  local id = ids[i]
  local seen = prev[i] or done[id]
  if seen then
    local sid, ticket, version = string.match(seen, '^(%S+) (%S+) (%d+)$')
    out[i] = {0, sid, ticket, tonumber(version), ''}
  else
    local mode, json = arg(i, 3), arg(i, 2)
    local ticket, version, refused = '-', 0, nil
    if mode == 'open' then
      if string.find(json, '"ticket":null', 1, true) then
        number = number + 1
        ticket = string.format('%s-%06d', ARGV[1], number)
        json = string.gsub(json, '"ticket":null', '"ticket":"' .. ticket .. '"', 1)
        version = 1
        statuses[ticket] = 'received'
        sset[#sset + 1] = ticket
        sset[#sset + 1] = 'received'
      else
        refused = {-4, '', '', 0, ''}
      end
    elseif mode == 'ticket' then
      ticket = arg(i, 4)
      local current = version_of(ticket)
      local expected = arg(i, 5)
      if current == 0 then
        refused = {-2, '', ticket, 0, ''}
      elseif expected ~= '' and tonumber(expected) ~= current then
        refused = {-1, '', ticket, current, ''}
      else
        local status = status_of(ticket)
        if not status and arg(i, 9) ~= '' then status = arg(i, 9) end
        local allowed = arg(i, 6)
        if allowed ~= '' and status and not string.find(allowed, ',' .. status .. ',', 1, true) then
          refused = {-3, '', ticket, current, status}
        else
          local to, only = arg(i, 7), arg(i, 8)
          if to ~= '' and (only == '' or only == status) then
            statuses[ticket] = to
            sset[#sset + 1] = ticket
            sset[#sset + 1] = to
          end
          version = current + 1
        end
      end
    end
    if refused then
      out[i] = refused
    else
      local sid = redis.call('XADD', KEYS[1], '*', ARGV[4], json)
      if version > 0 then
        versions[ticket] = version
        vset[#vset + 1] = ticket
        vset[#vset + 1] = version
      end
      local record = sid .. ' ' .. ticket .. ' ' .. version
      done[id] = record
      dset[#dset + 1] = id
      dset[#dset + 1] = record
      out[i] = {1, sid, ticket, version, ''}
    end
  end
end
if #dset > 0 then
  redis.call('HSET', KEYS[7], unpack(dset))
  redis.call('EXPIREAT', KEYS[7], ARGV[3])
end
if #vset > 0 then redis.call('HSET', KEYS[3], unpack(vset)) end
if #sset > 0 then redis.call('HSET', KEYS[4], unpack(sset)) end
return out
