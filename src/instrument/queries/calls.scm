; Calls of the cancel-spin-lock API and of the calls that register routines.
(call_expression
  function: (identifier) @callee
  arguments: (argument_list) @args
  (#any-of? @callee "IoAcquireCancelSpinLock" "IoReleaseCancelSpinLock" "IoSetCancelRoutine" "IoStartPacket")) @call
