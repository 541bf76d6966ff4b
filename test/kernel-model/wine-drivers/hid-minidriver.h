/* hid-minidriver.h: our HID minidriver and the bus driver below it, for the hidclass.sys harness (compiled
   against Wine's headers, beside hidclass.sys; the harness against the DDK). */
#ifndef HID_MINIDRIVER_H
#define HID_MINIDRIVER_H 1

/* The bus driver: DriverEntry creates one PDO, \Device\HidTestBus0, and answers its PnP requests. */
NTSTATUS NTAPI HidTestBusEntry(PDRIVER_OBJECT Driver, PUNICODE_STRING Registry);
/* The minidriver: DriverEntry registers with hidclass (HidRegisterMinidriver). */
NTSTATUS NTAPI HidTestMiniEntry(PDRIVER_OBJECT Driver, PUNICODE_STRING Registry);
/* Waits (at most Ms milliseconds) until hidclass's device thread has an IOCTL_HID_READ_REPORT pending; 1 if so. */
int HidTestWaitRead(unsigned long Ms);
/* Completes the pending IOCTL_HID_READ_REPORT with a one-byte input report Value; 1 if one was pending. */
int HidTestSupplyReport(unsigned char Value);
/* The device is unplugged: the pending read report and every later one fail (STATUS_DEVICE_NOT_CONNECTED). */
void HidTestUnplug(void);
/* Input reports hidclass sent on as raw input (__wine_send_input), and device-change notices. */
extern volatile long HidTestRawInputs;

#endif
