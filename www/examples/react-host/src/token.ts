/**
 * Plays the host's backend for the demo: signs in as a tenant manager and mints a short-lived
 * embed token for `dashboardId` and this page's origin. A real host calls its own backend.
 */
export async function fetchToken(dashboardId: string): Promise<string> {
  const post = async (path: string, body: unknown, token?: string): Promise<Record<string, string>> => {
    const response = await fetch(`${location.origin}/api/v1${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  };
  const login = await post("/auth/login", { email: "manager@healthco.test", password: "vantage-demo" });
  const embed = await post("/embed/tokens", {
    dashboardId,
    permissions: ["view_dashboard", "export_data"],
    allowedOrigins: [location.origin],
    lockedFilters: [],
    expiresIn: 900,
  }, login.accessToken);
  return embed.token;
}
