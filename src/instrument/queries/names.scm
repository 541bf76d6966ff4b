; Every mention of the lock API's names (uses that are not calls are listed as unchecked).
((identifier) @name
  (#any-of? @name "IoAcquireCancelSpinLock" "IoReleaseCancelSpinLock"))
