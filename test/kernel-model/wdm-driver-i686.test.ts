// The kernel model for 32-bit x86: the WDM sample driver built through spincheck-cc with i686-w64-mingw32-gcc
// (the DDK's HAL fastcall spin-lock calls, decorated import names) and linked with the model. Built and
// checked, not run: running 32-bit programs under Wine needs Debian's wine32:i386, which .ci/run does not
// install (on the CI machine the bookworm-security i386 index cannot be fetched, and without it wine32's
// multiarch dependencies cannot match the installed amd64 versions; see docs/kernel-model.md). Where wine32
// is installed, passing `true` runs the same checks as the x86_64 test.
import { I686, describeWdmDriver } from './wdm-driver-suite.js';

describeWdmDriver(I686, false);
