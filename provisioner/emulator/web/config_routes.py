"""Microsoft.Web routes for a web app's app settings, the way Azure serves them: `POST
{site}/config/appsettings/list` reads them (`Microsoft.Web/sites/config/list/action`, which Reader lacks:
settings hold secrets) and `PUT {site}/config/appsettings` replaces them (`.../config/write`); both answer
the StringDictionary `{"id", "name": "appsettings", "type": "Microsoft.Web/sites/config", "kind",
"properties": {name: value}}`. The request log counts the list as a read; throttling, by its method, as a write.

`POST {site}/publishxml` answers the publish profile XML (`az webapp create` reads it for the FTP
URL). The local cloud serves no SCM or FTP endpoint, so its one profile names Azure's hosts and a
password drawn for that answer alone, kept nowhere (it opens nothing)."""

from __future__ import annotations

import secrets
from xml.sax.saxutils import quoteattr

from starlette.responses import Response

from provisioner.emulator.arm.responses import arm_json
from provisioner.emulator.arm.tracked import read_existing
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.web.models import SITE_TYPE, app_settings_body, save_app_settings, settings_dictionary
from provisioner.emulator.web.routes import SITE, site_id

routes = RouteTable(Surface.ARM)
APP_SETTINGS = SITE + "/config/appsettings"


@routes.post(APP_SETTINGS + "/list")
async def list_app_settings(call: Call) -> Response:
    site = read_existing(call, site_id(call), SITE_TYPE, action="config/list/action")
    call.request.state.log_category = "reads"  # a POST that changes nothing: the request log counts it a read
    return arm_json(app_settings_body(call.cloud.store, site))


@routes.put(APP_SETTINGS)
async def update_app_settings(call: Call) -> Response:
    site = read_existing(call, site_id(call), SITE_TYPE, action="config/write")
    settings = settings_dictionary(call.json())
    store = call.cloud.store
    save_app_settings(store, site.body, settings)
    return arm_json(app_settings_body(store, site))


@routes.post(SITE + "/publishxml")
async def publishing_profile(call: Call) -> Response:
    site = read_existing(call, site_id(call), SITE_TYPE, action="publishxml/action")
    name = str(site.body["name"])
    attributes = {
        "profileName": f"{name} - FTP",
        "publishMethod": "FTP",
        "publishUrl": "ftps://waws-prod-local.ftp.azurewebsites.windows.net/site/wwwroot",
        "ftpPassiveMode": "True",
        "userName": f"{name}\\${name}",
        "userPWD": secrets.token_urlsafe(45),
        "destinationAppUrl": f"https://{name}.azurewebsites.net",
    }
    profile = " ".join(f"{key}={quoteattr(value)}" for key, value in attributes.items())
    xml = f"<publishData><publishProfile {profile}><databases /></publishProfile></publishData>"
    return Response(xml, 200, media_type="application/xml")
