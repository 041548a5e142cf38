/*
 * bcryptprimitives.dll for Wine 8, which lacks it: the Go runtime (1.24 and
 * later) takes its random bytes from ProcessPrng, which real Windows (10 and
 * later) exports from this DLL. This one fills the buffer with RtlGenRandom
 * (advapi32's SystemFunction036), Wine's own cryptographic generator.
 * Built with mingw into the private Wine prefix of scripts/test-windows.sh;
 * never shipped.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x10000000 ? 0x10000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
