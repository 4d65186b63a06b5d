/* atalaya-export-dialog.h: a map page for print, with a live preview
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "gis.h"

G_BEGIN_DECLS

#define ATALAYA_TYPE_EXPORT_DIALOG (atalaya_export_dialog_get_type ())

G_DECLARE_FINAL_TYPE (AtalayaExportDialog, atalaya_export_dialog, ATALAYA, EXPORT_DIALOG, AdwWindow)

AtalayaExportDialog *atalaya_export_dialog_new             (GtkWindow           *parent,
                                                            GisStore            *store,
                                                            GListModel          *layers,
                                                            const char          *crs_id,
                                                            const GisExtent     *view_extent);
void                 atalaya_export_dialog_export_to       (AtalayaExportDialog *self,
                                                            GFile               *file);
gboolean             atalaya_export_dialog_get_exporting   (AtalayaExportDialog *self);
gboolean             atalaya_export_dialog_get_previewing  (AtalayaExportDialog *self);
char                *atalaya_export_dialog_describe_files  (const char *const   *files);

G_END_DECLS
