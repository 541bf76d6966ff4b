# The statistics IOCTL takes the cancel spin lock around a helper that takes it again (events.c).
s/^    WdsSnapshotStats(Extension, &copy);$/    { KIRQL irql; IoAcquireCancelSpinLock(\&irql); WdsSnapshotStats(Extension, \&copy); IoReleaseCancelSpinLock(irql); }/
