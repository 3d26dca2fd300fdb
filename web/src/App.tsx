import { useEffect, useState } from "react";
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { createBrowserRouter, RouterProvider } from "react-router";
import { ToastProvider } from "./components/Toast";
import { createQueryClient, installUnauthorizedHandler } from "./queryClient";
import { routes } from "./router";

export function Providers({ queryClient, children }: { queryClient: QueryClient; children: React.ReactNode }) {
  useEffect(() => installUnauthorizedHandler(queryClient), [queryClient]);
  return (
    <QueryClientProvider client={queryClient}>
      <ToastProvider>{children}</ToastProvider>
    </QueryClientProvider>
  );
}

export function App() {
  const [queryClient] = useState(createQueryClient);
  const [router] = useState(() => createBrowserRouter(routes));
  return (
    <Providers queryClient={queryClient}>
      <RouterProvider router={router} />
    </Providers>
  );
}
