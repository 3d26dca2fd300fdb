import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { isApiError } from "../../api/client";
import { authApi, queryKeys } from "../../api/endpoints";
import type { LoginResponse, Role, Session } from "../../api/types";

/**
 * The signed-in user, `null` when signed out (401). A /me answer without a user (an API-key
 * principal, which a browser session never is) is not a dashboard session either.
 */
export function useMe() {
  return useQuery<Session | null>({
    queryKey: queryKeys.me,
    queryFn: async () => {
      try {
        const me = await authApi.me();
        return me.user ? { ...me, user: me.user } : null;
      } catch (error) {
        if (isApiError(error) && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: Infinity,
    retry: false,
  });
}

/** The signed-in user inside the authenticated app (guaranteed by <RequireAuth>). */
export function useSession(): Session {
  const { data } = useMe();
  if (!data) throw new Error("useSession used outside an authenticated route");
  return data;
}

export function canManage(role: Role): boolean {
  return role === "owner" || role === "admin";
}

export function meFromLogin(response: LoginResponse): Session {
  return {
    user: { id: response.id, name: response.name, email: response.email },
    role: response.role,
    workspace: response.workspace,
    // Login, register and invitation accept set the session cookie the dashboard then uses.
    via: "cookie",
  };
}

/** Stores a fresh login response as the session, dropping any cached data of a previous one. */
export function useStartSession() {
  const queryClient = useQueryClient();
  return (response: LoginResponse) => {
    queryClient.clear();
    queryClient.setQueryData(queryKeys.me, meFromLogin(response));
  };
}

export function useLogout() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: async () => {
      try {
        await authApi.logout();
      } catch (error) {
        // Already signed out is fine; anything else still ends the local session.
        if (!(isApiError(error) && error.status === 401)) console.warn("logout failed", error);
      }
    },
    onSettled: () => {
      queryClient.clear();
      queryClient.setQueryData(queryKeys.me, null);
      navigate("/login", { replace: true });
    },
  });
}

/** A safe in-app path to go back to after login (never an external URL). */
export function safeNext(value: string | null | undefined): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  if (value.startsWith("/login") || value.startsWith("/register")) return "/";
  return value;
}
