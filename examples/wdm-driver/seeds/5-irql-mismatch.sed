# The transfer DPC releases the cancel spin lock with the IRP's CancelIrql instead of the IRQL its own
# acquire saved (transfer.c).
/^    ext->Scratch = NULL;$/{n;s/IoReleaseCancelSpinLock(irql);/IoReleaseCancelSpinLock(irp->CancelIrql);/;}
