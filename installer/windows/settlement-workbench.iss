; Inno Setup script: per-user installer of the one-folder PyInstaller build.
; Build the bundle on Windows first (see installer/BUILD.md), then compile this script with
; Inno Setup 6 (iscc installer\windows\settlement-workbench.iss).

#define AppName "Settlement Workbench"
#define AppVersion "0.1.0"
#define AppExe "settlement-workbench.exe"

[Setup]
AppId={{6B1B3B4E-5B1F-4C55-9E0C-5E77A2F3C0A1}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Settlement Workbench developers
DefaultDirName={localappdata}\Programs\{#AppName}
DefaultGroupName={#AppName}
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=settlement-workbench-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
ChangesAssociations=yes
UninstallDisplayIcon={app}\{#AppExe}
WizardStyle=modern

[Files]
Source: "..\..\dist\settlement-workbench\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\Uninstall {#AppName}"; Filename: "{uninstallexe}"

[Registry]
; Settlement databases (.swdb, and .sqlite when the user chooses) and case files (.swcase.json).
Root: HKCU; Subkey: "Software\Classes\.swdb"; ValueType: string; ValueData: "SettlementWorkbench.Database"; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\SettlementWorkbench.Database"; ValueType: string; ValueData: "Settlement database"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\SettlementWorkbench.Database\DefaultIcon"; ValueType: string; ValueData: "{app}\{#AppExe},0"
Root: HKCU; Subkey: "Software\Classes\SettlementWorkbench.Database\shell\open\command"; ValueType: string; ValueData: """{app}\{#AppExe}"" ""%1"""
Root: HKCU; Subkey: "Software\Classes\.sqlite\OpenWithProgids"; ValueType: string; ValueName: "SettlementWorkbench.Database"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\.swcase\OpenWithProgids"; ValueType: string; ValueName: "SettlementWorkbench.Case"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\SettlementWorkbench.Case"; ValueType: string; ValueData: "Settlement case file"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\SettlementWorkbench.Case\shell\open\command"; ValueType: string; ValueData: """{app}\{#AppExe}"" case run ""%1"""

[Run]
Filename: "{app}\{#AppExe}"; Description: "Start {#AppName}"; Flags: nowait postinstall skipifsilent
