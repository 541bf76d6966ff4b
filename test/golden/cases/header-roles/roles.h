/* Role declarations in a project header, as real drivers keep them. */
#include "wdm-lite.h"
DRIVER_DISPATCH HeaderDispatch;
_Dispatch_type_(IRP_MJ_CLOSE) DRIVER_DISPATCH HeaderClose;
DRIVER_CANCEL HeaderCancel;
