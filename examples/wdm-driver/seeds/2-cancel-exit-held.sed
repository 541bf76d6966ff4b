# The cancel routine's queued branch forgets to release the cancel spin lock (transfer.c).
/KeRemoveEntryDeviceQueue(&DeviceObject->DeviceQueue/{n;d;}
