; Every mention of the lock API's names (the LOCK_API placeholder: every name in src/model/lock-api.ts) (uses that are not calls are listed as unchecked).
((identifier) @name
  (#any-of? @name "@LOCK_API@"))
