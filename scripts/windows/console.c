/* console.exe PROGRAM ARGS...: runs PROGRAM as a console program starts
 * one of the GUI subsystem: attached to no console and given no standard
 * handles (STARTF_USESTDHANDLES, all three NULL), then waits for it and
 * exits with its exit code. Run under Wine on a terminal (script(1)), it
 * lets scripts/windows/smoke.sh check that facteur.exe, built for the GUI
 * subsystem, still writes to the console of the program that started it
 * (console_windows.go: AttachConsole). Built with mingw:
 * x86_64-w64-mingw32-gcc -municode. */
#include <windows.h>
#include <stdio.h>

int wmain(int argc, wchar_t **argv) {
	if (argc < 2) {
		fwprintf(stderr, L"usage: console.exe PROGRAM ARGS...\n");
		return 2;
	}
	/* the command line after argv[0], as given */
	wchar_t *cmd = GetCommandLineW();
	int quoted = 0;
	for (; *cmd && (quoted || (*cmd != L' ' && *cmd != L'\t')); cmd++)
		if (*cmd == L'"') quoted = !quoted;
	while (*cmd == L' ' || *cmd == L'\t') cmd++;

	STARTUPINFOW si = {0};
	si.cb = sizeof si;
	si.dwFlags = STARTF_USESTDHANDLES; /* hStdInput, hStdOutput, hStdError: NULL */
	PROCESS_INFORMATION pi;
	if (!CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
		fwprintf(stderr, L"console: CreateProcess: error %lu\n", GetLastError());
		return 3;
	}
	if (WaitForSingleObject(pi.hProcess, 60000) != WAIT_OBJECT_0) {
		fwprintf(stderr, L"console: the program did not end in 60 s\n");
		return 4;
	}
	DWORD code = 1;
	GetExitCodeProcess(pi.hProcess, &code);
	return (int)code;
}
