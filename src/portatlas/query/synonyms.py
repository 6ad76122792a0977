"""What people type for a service, and what the registry and the common-use dataset call it.

Nobody searches for ``ms-wbt-server``: they type "rdp" or "remote desktop".
Each entry of ``TABLE`` maps the phrases people use (compared normalised:
lower case, punctuation as spaces, so "SQL_Server" is "sql server") to the
registry's service names and the dataset's software names they mean, in the
order search ranks them. A search for a phrase brings these in first, beside
what the text itself matches; ``tests/test_search.py`` checks that every
name and program named here exists.

To add one: put the phrases, the registry names (``portatlas NAME`` must
answer each) and the software names (exactly as ``software =`` in
``data/common-use/*.toml``), and a few words saying what it is.
"""

from __future__ import annotations

from portatlas.value import value


@value
class Synonym:
    """Phrases people type (``phrases``, normalised), what they mean (``meaning``), and the registry's
    service ``names`` and the dataset's ``software`` that answer them, best first."""

    phrases: tuple[str, ...]
    meaning: str
    names: tuple[str, ...] = ()
    software: tuple[str, ...] = ()


def _s(phrases: str, meaning: str, names: str = "", software: tuple[str, ...] = ()) -> Synonym:
    return Synonym(tuple(p.strip() for p in phrases.split(",")), meaning, tuple(names.split()), software)


TABLE: tuple[Synonym, ...] = (
    # Remote access and file sharing
    _s("rdp, remote desktop, remote desktop protocol, mstsc, terminal services, terminal server, "
       "windows remote desktop", "Remote Desktop Protocol (Windows Remote Desktop)", "ms-wbt-server",
       ("Microsoft Remote Desktop", "xrdp", "GNOME Remote Desktop")),
    _s("vnc, remote framebuffer, screen sharing, vnc server", "VNC (the Remote Framebuffer protocol)", "rfb",
       ("Remote Framebuffer protocol (VNC)", "TigerVNC", "Apple Screen Sharing")),
    _s("smb, cifs, windows file sharing, file sharing, windows share, windows shares, network share, "
       "file and printer sharing", "SMB, Windows file sharing", "microsoft-ds netbios-ssn",
       ("Windows File and Printer Sharing (SMB)", "Samba", "macOS File Sharing (SMB)")),
    _s("samba", "Samba (SMB file sharing)", "microsoft-ds netbios-ssn netbios-ns", ("Samba", "Samba nmbd")),
    _s("netbios", "NetBIOS over TCP/IP", "netbios-ns netbios-dgm netbios-ssn",
       ("Windows NetBIOS Name Service", "Windows NetBIOS Datagram Service", "Windows NetBIOS Session Service")),
    _s("ssh, secure shell, sftp, scp, sshd, openssh", "SSH (Secure Shell; also SFTP and scp)", "ssh",
       ("OpenSSH", "macOS Remote Login (sshd)")),
    _s("telnet", "Telnet", "telnet"),
    _s("winrm, powershell remoting, ws management, wsman", "Windows Remote Management", "wsman wsmans",
       ("Windows Remote Management (WinRM)",)),
    _s("x11, x window, x window system, x server", "the X Window System", "x11", ("X Window System",)),
    _s("nfs, network file system", "NFS (Network File System)", "nfs sunrpc mountd", ("NFS",)),
    _s("rpcbind, portmapper, portmap, sunrpc", "the ONC RPC port mapper", "sunrpc", ("rpcbind",)),
    _s("msrpc, ms rpc, rpc endpoint mapper, dce rpc, epmap", "Microsoft RPC's endpoint mapper", "epmap",
       ("Windows RPC Endpoint Mapper", "DCE/RPC endpoint mapper")),
    _s("rsync", "rsync", "rsync"),
    # Databases and caches
    _s("sql server, mssql, ms sql, microsoft sql server, microsoft sql, sqlserver, mssql server",
       "Microsoft SQL Server", "ms-sql-s ms-sql-m", ("Microsoft SQL Server", "SQL Server Browser")),
    _s("mysql, mysqld, mariadb", "MySQL and MariaDB", "mysql", ("MySQL", "MariaDB")),
    _s("postgres, postgresql, psql, pgsql, pg", "PostgreSQL", "postgresql", ("PostgreSQL",)),
    _s("mongo, mongodb, mongod", "MongoDB", "mongodb", ("MongoDB",)),
    _s("redis", "Redis", "redis", ("Redis", "Redis Sentinel")),
    _s("memcached, memcache", "Memcached", "memcache", ("Memcached",)),
    _s("oracle, oracle db, oracle database, tns listener", "Oracle Database", "", ("Oracle Database",)),
    _s("elasticsearch, elastic, opensearch", "Elasticsearch", "", ("Elasticsearch",)),
    _s("cassandra", "Apache Cassandra", "", ("Apache Cassandra",)),
    _s("couchdb", "Apache CouchDB", "couchdb", ("Apache CouchDB",)),
    # Naming, time, directory, network services
    _s("dns, domain name system, name server, nameserver, dns server, resolver",
       "DNS (the Domain Name System)", "domain domain-s",
       ("BIND 9", "Unbound", "dnsmasq", "Windows DNS Server", "DNS over TLS")),
    _s("dot, dns over tls", "DNS over TLS", "domain-s", ("DNS over TLS",)),
    _s("mdns, bonjour, zeroconf, multicast dns, avahi", "multicast DNS (Bonjour, Avahi)", "mdns",
       ("Multicast DNS", "Bonjour (mDNSResponder)")),
    _s("llmnr", "Link-Local Multicast Name Resolution", "llmnr", ("LLMNR",)),
    _s("ntp, network time, network time protocol, time sync, chrony, ntpd, w32time",
       "NTP (Network Time Protocol)", "ntp", ("chrony", "Windows Time (W32Time)")),
    _s("ldap, active directory, directory server", "LDAP and Active Directory", "ldap ldaps msft-gc",
       ("OpenLDAP", "Active Directory LDAP", "Active Directory LDAPS")),
    _s("ldaps", "LDAP over TLS", "ldaps", ("Active Directory LDAPS",)),
    _s("kerberos, kdc, krb5", "Kerberos", "kerberos kpasswd kerberos-adm",
       ("Kerberos", "Active Directory Kerberos (KDC)", "MIT Kerberos")),
    _s("dhcp, bootp, dhcp server, dhcpd", "DHCP (and BOOTP)", "bootps bootpc dhcpv6-server dhcpv6-client",
       ("DHCP server", "DHCP client", "Windows DHCP Server", "dnsmasq")),
    _s("dhcpv6", "DHCP for IPv6", "dhcpv6-server dhcpv6-client", ("DHCPv6 server", "DHCPv6 client")),
    _s("tftp", "TFTP (Trivial File Transfer Protocol)", "tftp"),
    _s("snmp", "SNMP (Simple Network Management Protocol)", "snmp snmptrap",
       ("SNMP agent (printers and devices)", "SNMP trap receiver")),
    _s("syslog, rsyslog, syslog ng", "syslog", "syslog syslog-tls", ("rsyslog", "Syslog over TLS")),
    _s("radius", "RADIUS", "radius radius-acct"),
    _s("tacacs, tacacs plus", "TACACS+", "tacacs", ("TACACS+",)),
    _s("bgp", "BGP", "bgp"),
    _s("upnp, ssdp", "UPnP discovery (SSDP)", "ssdp", ("SSDP", "Windows SSDP Discovery service")),
    _s("iscsi", "iSCSI", "iscsi-target", ("iSCSI",)),
    # Mail, chat, voice
    _s("smtp, mail server, email, e mail, mta", "SMTP (mail transfer and submission)",
       "smtp submission submissions", ("SMTP message submission", "SMTP submission over implicit TLS")),
    _s("imap, imap4", "IMAP (mail access)", "imap imaps"),
    _s("imaps", "IMAP over TLS", "imaps"),
    _s("pop3, pop, pop 3", "POP3 (mail download)", "pop3 pop3s"),
    _s("pop3s", "POP3 over TLS", "pop3s"),
    _s("xmpp, jabber", "XMPP (Jabber)", "xmpp-client xmpp-server",
       ("XMPP client connections", "XMPP server-to-server")),
    _s("irc", "IRC", "ircu ircs-u irc", ("IRC", "IRC over TLS")),
    _s("sip, voip", "SIP (voice over IP)", "sip sips", ("SIP", "SIP over TLS")),
    _s("rtsp, ip camera", "RTSP (streaming, IP cameras)", "rtsp", ("Real-Time Streaming Protocol (IP cameras)",)),
    _s("rtmp", "RTMP (live streaming)", "", ("RTMP",)),
    # The web and proxies
    _s("https, http over tls, ssl, tls, web server tls", "HTTPS", "https", ("nginx", "Apache HTTP Server", "Caddy")),
    _s("http, web, www, web server, http server", "HTTP", "http http-alt",
       ("nginx", "Apache HTTP Server", "Caddy")),
    _s("http alt, http alternate, alternate http", "the alternate HTTP port", "http-alt"),
    _s("http proxy, web proxy, proxy, proxy server, squid, forward proxy", "an HTTP proxy", "http-alt",
       ("Squid", "Tinyproxy")),
    _s("socks, socks5, socks4, socks proxy", "a SOCKS proxy", "socks", ("SOCKS proxy",)),
    _s("tor", "Tor", "", ("Tor",)),
    _s("ftp, file transfer protocol, ftp server", "FTP (File Transfer Protocol)", "ftp ftp-data ftps"),
    _s("ftps", "FTP over TLS", "ftps ftps-data"),
    # VPNs
    _s("vpn, virtual private network", "a VPN", "openvpn isakmp ipsec-nat-t l2f pptp",
       ("WireGuard", "OpenVPN", "IPsec NAT traversal", "L2TP", "PPTP")),
    _s("openvpn", "OpenVPN", "openvpn", ("OpenVPN",)),
    _s("wireguard, wg", "WireGuard", "", ("WireGuard",)),
    _s("ipsec, ike, isakmp, strongswan", "IPsec (IKE and NAT traversal)", "isakmp ipsec-nat-t",
       ("IPsec NAT traversal",)),
    _s("l2tp", "L2TP", "l2f", ("L2TP",)),
    _s("pptp", "PPTP", "pptp", ("PPTP",)),
    # Printing
    _s("printer, printing, print server, ipp, cups, airprint", "printing (IPP, LPD, raw)",
       "ipp printer pdl-datastream",
       ("Internet Printing Protocol (IPP)", "CUPS", "Line Printer Daemon (LPD)", "AppSocket (HP JetDirect)")),
    _s("jetdirect, raw printing, port 9100", "raw printing (HP JetDirect)", "pdl-datastream",
       ("AppSocket (HP JetDirect)",)),
    _s("lpd, lpr", "the Line Printer Daemon", "printer", ("Line Printer Daemon (LPD)",)),
    # Queues and containers
    _s("mqtt, mosquitto", "MQTT", "mqtt secure-mqtt", ("Eclipse Mosquitto",)),
    _s("amqp, rabbitmq, rabbit", "AMQP (RabbitMQ)", "amqp amqps", ("RabbitMQ",)),
    _s("kafka", "Apache Kafka", "", ("Apache Kafka",)),
    _s("zookeeper", "Apache ZooKeeper", "", ("Apache ZooKeeper",)),
    _s("docker, docker daemon, dockerd", "the Docker Engine API", "docker docker-s",
       ("Docker Engine", "Docker Registry", "Docker Swarm")),
    _s("kubernetes, k8s, kube, kube apiserver, kubectl", "Kubernetes", "",
       ("Kubernetes API server", "kubelet", "Kubernetes NodePort Services")),
    _s("etcd", "etcd", "etcd-client etcd-server"),
    _s("git", "the Git protocol", "git"),
    _s("svn, subversion", "Subversion", "svn"),
)


def table() -> dict[str, Synonym]:
    """Every phrase, normalised, to its entry (the first entry naming a phrase keeps it)."""
    from portatlas.world.commonuse import normalise

    out: dict[str, Synonym] = {}
    for s in TABLE:
        for p in s.phrases:
            out.setdefault(normalise(p), s)
    return out
