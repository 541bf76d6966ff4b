# Cleanup releases the cancel spin lock twice when no queued transfer is left for the file (transfer.c).
/if (victim == NULL) {/{n;s/$/ IoReleaseCancelSpinLock(irql);/;}
