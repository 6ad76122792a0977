"""Static exports of portatlas: the whole web site as files (``site.export_site``)."""
