/* atalaya-import-dialog.h: bring a vector file into the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "gis.h"

G_BEGIN_DECLS

#define ATALAYA_TYPE_IMPORT_DIALOG (atalaya_import_dialog_get_type ())

G_DECLARE_FINAL_TYPE (AtalayaImportDialog, atalaya_import_dialog, ATALAYA, IMPORT_DIALOG, AdwWindow)

AtalayaImportDialog *atalaya_import_dialog_new            (GtkWindow           *parent,
                                                           const char          *store_path);
const char          *atalaya_import_dialog_get_store_path (AtalayaImportDialog *self);
void                 atalaya_import_dialog_set_file       (AtalayaImportDialog *self,
                                                           GFile               *file);
GFile               *atalaya_import_dialog_get_file       (AtalayaImportDialog *self);
GisImportPreview    *atalaya_import_dialog_get_preview    (AtalayaImportDialog *self);
gboolean             atalaya_import_dialog_get_busy       (AtalayaImportDialog *self);

G_END_DECLS
