// What every Slipway server starts with, in one copy: the snapshot's cloud-init writes these
// files on a real droplet (server/src/domain/provisioning/cloud-init.ts), and the lab writes the
// same files into each lab host (lab/src/hosts), so the lab runs the configuration production does.

export const NGINX_CONF_PATH = "/etc/nginx/nginx.conf";
export const NGINX_DEFAULT_SITE_PATH = "/etc/nginx/sites-available/default";
/** Debian's layout enables the default site through this link to NGINX_DEFAULT_SITE_PATH. */
export const NGINX_DEFAULT_SITE_LINK = "/etc/nginx/sites-enabled/default";

/** Debian's default nginx.conf, with the longer server-name hash buckets long domains need. */
export const NGINX_CONF = `user www-data;
worker_processes auto;
pid /run/nginx.pid;
error_log /var/log/nginx/error.log;
include /etc/nginx/modules-enabled/*.conf;

events {
    worker_connections 768;
}

http {
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    server_tokens off;
    server_names_hash_bucket_size 128;

    include /etc/nginx/mime.types;
    default_type application/octet-stream;

    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;

    access_log /var/log/nginx/access.log;

    gzip on;

    include /etc/nginx/conf.d/*.conf;
    include /etc/nginx/sites-enabled/*;
}
`;

/** Requests for a name no service claims get a 404, not the first site. */
export const NGINX_DEFAULT_SITE = `server {
    listen 80 default_server;
    listen [::]:80 default_server;
    server_name _;

    location / {
        return 404;
    }
}
`;
