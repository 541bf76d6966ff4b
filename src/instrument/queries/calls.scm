; Calls of the lock API (the LOCK_API placeholder becomes every name in src/model/lock-api.ts) and of the calls that register routines.
(call_expression
  function: (identifier) @callee
  arguments: (argument_list) @args
  (#any-of? @callee "@LOCK_API@" "IoSetCancelRoutine" "IoStartPacket")) @call
