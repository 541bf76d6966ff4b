// End to end on the kernel model for x86_64: the WDM sample driver built through spincheck-cc with
// x86_64-w64-mingw32-gcc, run under Wine by `spincheck run` (see wdm-driver-suite.ts).
import { X86_64, describeWdmDriver } from './wdm-driver-suite.js';

describeWdmDriver(X86_64, true);
