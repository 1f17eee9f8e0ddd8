package android.net.wifi;

/** Stand-in of android.net.wifi.WifiManager. */
public class WifiManager {
    public WifiInfo getConnectionInfo() {
        return new WifiInfo();
    }
}
