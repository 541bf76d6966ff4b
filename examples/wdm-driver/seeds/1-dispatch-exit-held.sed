# Cleanup returns holding the cancel spin lock when no queued transfer is left for the file (transfer.c).
/if (victim == NULL) {/{n;d;}
